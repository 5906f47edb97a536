import { mkdir, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { cap } from '../protocol';
import { str, ToolError, type Tool, type ToolContext } from './types';

function within(ctx: ToolContext, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.paths.workspace, path);
}

export const readFileTool: Tool = {
  name: 'read_file',
  description: 'Read a text file. Relative paths are inside /workspace.',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  async run(input, ctx) {
    const path = within(ctx, str(input, 'path'));
    const info = await stat(path).catch(() => null);
    if (!info) throw new ToolError(`No such file: ${path}`);
    if (info.isDirectory()) throw new ToolError(`${path} is a directory; use list_directory`);
    // Devices, pipes and sockets could block forever or never end.
    if (!info.isFile()) throw new ToolError(`${path} is not a regular file`);
    const limit = ctx.outputCap * 4;
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(info.size, limit));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      return cap(
        info.size > limit
          ? `${text}\n… [file is ${info.size} bytes; read with run_command for the rest]`
          : text,
        ctx.outputCap,
      );
    } finally {
      await handle.close();
    }
  },
};

export const writeFileTool: Tool = {
  name: 'write_file',
  description:
    'Create or overwrite a text file (folders are created). Relative paths are inside /workspace.',
  inputSchema: {
    type: 'object',
    properties: { path: { type: 'string' }, content: { type: 'string' } },
    required: ['path', 'content'],
  },
  async run(input, ctx) {
    const path = within(ctx, str(input, 'path'));
    const content = str(input, 'content');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return `Wrote ${Buffer.byteLength(content)} bytes to ${path}`;
  },
};

export const listDirectoryTool: Tool = {
  name: 'list_directory',
  description: 'List a folder: one entry per line, folders end with "/". Defaults to /workspace.',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
  async run(input, ctx) {
    const path = within(ctx, str(input, 'path', false) || '.');
    const entries = await readdir(path, { withFileTypes: true }).catch(() => {
      throw new ToolError(`Cannot list ${path}`);
    });
    const lines = entries
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
    return cap(lines.join('\n') || '(empty)', ctx.outputCap);
  },
};

const SKIP = new Set(['.git', 'node_modules', '.venv', '__pycache__', 'ipc']);

export const searchFilesTool: Tool = {
  name: 'search_files',
  description:
    'Search file contents for a regular expression under a folder (default /workspace). Returns path:line: text.',
  inputSchema: {
    type: 'object',
    properties: { pattern: { type: 'string' }, path: { type: 'string' } },
    required: ['pattern'],
  },
  async run(input, ctx) {
    let regex: RegExp;
    try {
      regex = new RegExp(str(input, 'pattern'));
    } catch (error) {
      throw new ToolError(`Invalid pattern: ${(error as Error).message}`);
    }
    const root = within(ctx, str(input, 'path', false) || '.');
    const hits: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (hits.length >= 200 || depth > 12 || ctx.signal.aborted) return;
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!SKIP.has(entry.name)) await walk(full, depth + 1);
        } else if (entry.isFile()) {
          const info = await stat(full).catch(() => null);
          if (!info || info.size > 2_000_000) continue;
          const lines = (await readFile(full, 'utf8').catch(() => '')).split('\n');
          lines.forEach((line, i) => {
            if (hits.length < 200 && regex.test(line.slice(0, 4000)))
              hits.push(`${relative(ctx.paths.workspace, full)}:${i + 1}: ${line.slice(0, 300)}`);
          });
        }
      }
    };
    await walk(root, 0);
    return cap(hits.join('\n') || 'No matches.', ctx.outputCap);
  },
};
