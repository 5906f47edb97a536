import { z } from 'zod';

/**
 * Every error that crosses a boundary (HTTP, Electron IPC, CLI) is one of these codes, carried
 * as `{code, message, details}`. The HTTP status for each code lives here too, so the API, the
 * IPC bridge and the clients agree without a second table.
 */
export const errorCodes = {
  INVALID_INPUT: 400,
  INVALID_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
  UNSUPPORTED: 501,
  RUNTIME_UNAVAILABLE: 503,
  /** The container engine refused a create or start; details name the cause and the fix. */
  ENGINE_REFUSED: 502,
  UNREACHABLE: 503,
  /** aigo is stopping and takes no new call; try again once it runs. */
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export const errorCodeSchema = z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]);

export const errorEnvelopeSchema = z
  .object({
    code: errorCodeSchema,
    message: z.string(),
    details: z.unknown().optional(),
  })
  .meta({ id: 'Error' });

export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** Thrown anywhere in the core or the clients; serialised as an ErrorEnvelope at boundaries. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return errorCodes[this.code];
  }

  toEnvelope(): ErrorEnvelope {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromEnvelope(envelope: ErrorEnvelope): AppError {
    return new AppError(envelope.code, envelope.message, envelope.details);
  }
}

/** Turns a zod failure into the details a user (or a client) can act on: which field, what. */
export function describeZodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: sentence(issue),
  }));
}

/** zod's generic wording ("Invalid input: expected string, received undefined"), as a sentence. */
function sentence(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.');
  const subject = field ? `${field} ` : '';
  const raw = issue as { code: string; expected?: string; keys?: string[]; values?: unknown[] };
  if (raw.code === 'invalid_type' && /received undefined$/.test(issue.message))
    return `${subject}is required`;
  if (raw.code === 'invalid_type' && raw.expected) return `${subject}must be a ${raw.expected}`;
  if (raw.code === 'unrecognized_keys' && raw.keys)
    return `${raw.keys.map((k) => `"${k}"`).join(', ')} ${raw.keys.length === 1 ? 'is' : 'are'} not a known field${field ? ` of ${field}` : ''}`;
  if (raw.code === 'invalid_value' && raw.values)
    return `${subject}must be one of ${raw.values.map((v) => JSON.stringify(v)).join(', ')}`;
  // Our own messages are sentences already ("give the schedule a name"): name the field.
  return field && !issue.message.toLowerCase().startsWith(field.toLowerCase())
    ? `${field}: ${issue.message}`
    : issue.message;
}

export function invalidInput(error: z.ZodError, what = 'request'): AppError {
  const issues = describeZodIssues(error);
  const summary = issues.map((i) => i.message).join('; ');
  return new AppError('INVALID_INPUT', `Invalid ${what}: ${summary}.`, { issues });
}
