import { basename } from 'node:path';

// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u001f\u007f]/;

/** The folder's own name, made safe for a container path. */
export function defaultContainerName(real: string): string {
  const name = basename(real)
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[-.]+/, '');
  return name || 'mount';
}

/** Relative, non-empty, no `..`, no `:` (it would inject -v options), no leading `-`. */
export function containerPathProblem(name: string): string | null {
  if (name.trim() === '') return 'is empty';
  if (CONTROL.test(name)) return 'contains control characters';
  if (name.startsWith('/') || name.startsWith('\\'))
    return 'must be relative (it is placed under /workspace/extra/)';
  if (name.includes(':')) return 'must not contain ":"';
  if (name.startsWith('-')) return 'must not start with "-"';
  if (name.split(/[\\/]/).some((part) => part === '..')) return 'must not contain ".."';
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(name))
    return 'may only use letters, digits, ".", "_", "-" and "/" between names';
  return null;
}
