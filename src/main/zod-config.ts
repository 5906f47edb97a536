import { z } from 'zod';

/**
 * Imported first by each entry of the main process (the CLI, the Electron main), so it runs
 * before any schema is built: zod reads the setting when it builds an object schema.
 *
 * Without it, zod compiles a parser for each object schema with `new Function` on its first
 * parse. That is about 10 ms of every start (the settings and each first request), and it
 * buys nothing measurable for the small inputs this app parses: `npm run bench -- mounts` did
 * 3,067 validations a second without it against 3,107 with it. The main process then also
 * generates no code from strings.
 */
z.config({ jitless: true });
