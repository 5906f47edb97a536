/**
 * Does a git config hold a credential? A remote URL with a password (`https://me:token@host`),
 * a token as the user name (`https://ghp_…@github.com`, `x-access-token`, GitLab's `glpat-`), or
 * an `extraheader` with an Authorization value (what CI checkouts leave behind). A plain
 * `ssh://git@host` or `https://me@host` is a user name, not a secret.
 */
export function hasGitCredentials(config: string): boolean {
  for (const line of config.split(/\r?\n/)) {
    const setting = /^\s*([A-Za-z.-]+)\s*=\s*(.*)$/.exec(line);
    if (!setting) continue;
    const key = (setting[1] as string).toLowerCase();
    const value = (setting[2] as string).trim().replace(/^"|"$/g, '');
    if (key === 'extraheader' && /authorization\s*:/i.test(value)) return true;
    if (key !== 'url' && key !== 'pushurl' && key !== 'insteadof' && key !== 'pushinsteadof')
      continue;
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]+)@/i.exec(value)?.[1];
    if (!userinfo) continue;
    const [user = '', password] = userinfo.split(':');
    if (password !== undefined && password !== '') return true;
    if (/^(gh[pousr]_|github_pat_|glpat-|x-access-token|x-oauth-basic)/i.test(user)) return true;
    if (/^https?:/i.test(value) && user.length >= 30) return true;
  }
  return false;
}
