import type { DraftProblem } from './group-draft';

/** The problems with one field (its path, or anything under it), under that field. */
export function FieldIssues({
  issues,
  path,
  testId,
}: {
  issues: DraftProblem[];
  path: string;
  testId?: string;
}) {
  const mine = issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`));
  if (mine.length === 0) return null;
  return (
    <small className="field-error" role="alert" data-testid={testId}>
      {mine.map((i) => i.message).join('; ')}
    </small>
  );
}
