import { builtinModules } from 'node:module';
import type { Plugin } from 'vite';

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

interface ImportNode {
  type: string;
  start: number;
  end: number;
  source: { value: string };
  specifiers: {
    type: string;
    local: { name: string };
    imported?: { type: string; name?: string; value?: string };
  }[];
}

/**
 * `import { createServer } from 'node:http'` in an ES module makes Node build a module facade,
 * which reads every export of the built-in, getters included, and so runs them. Node's `http`
 * exports WebSocket and its events as getters that load undici (fetch, web streams, HTTP/2 parts):
 * 23 ms and about 15 MB of a start that never uses them. `process`, `util` and `fs` cost 4-7 ms
 * each the same way. `process.getBuiltinModule()` (Node 22.3+) hands over the module object
 * itself, and a getter runs only when read.
 *
 * This rewrites each static import of a built-in in the emitted chunks to that call. A built-in
 * has no side effects on import and is never cyclic, so the order of evaluation does not matter.
 */
export function rewriteBuiltinImports(code: string, program: { body: unknown[] }): string {
  const imports = (program.body as ImportNode[]).filter(
    (node) => node.type === 'ImportDeclaration' && BUILTINS.has(node.source.value),
  );
  let out = '';
  let at = 0;
  imports.forEach((node, index) => {
    out += code.slice(at, node.start) + replacement(node, `__builtin${index}`);
    at = node.end;
  });
  return out + code.slice(at);
}

function replacement(node: ImportNode, temp: string): string {
  const get = `process.getBuiltinModule(${JSON.stringify(node.source.value)})`;
  if (node.specifiers.length === 0) return `${get};`;
  const lines = [`const ${temp} = ${get};`];
  const named: string[] = [];
  for (const spec of node.specifiers) {
    if (spec.type === 'ImportSpecifier') {
      const name = spec.imported?.name ?? spec.imported?.value ?? spec.local.name;
      named.push(`${JSON.stringify(name)}: ${spec.local.name}`);
    } else lines.push(`const ${spec.local.name} = ${temp};`); // default or namespace
  }
  if (named.length > 0) lines.push(`const { ${named.join(', ')} } = ${temp};`);
  return lines.join(' ');
}

/** The rewrite as a build plugin, for the main process's chunks (see rewriteBuiltinImports). */
export function builtinImportsPlugin(): Plugin {
  return {
    name: 'aigo:builtin-imports',
    // After the other plugins, so the imports they add (electron-vite's CommonJS shims) are seen.
    renderChunk: {
      order: 'post',
      handler(code) {
        const rewritten = rewriteBuiltinImports(code, this.parse(code) as { body: unknown[] });
        const left = /^import\s[^;]*?from\s*["'](?:node:)?([a-z_/]+)["']/gm;
        for (const match of rewritten.matchAll(left)) {
          if (BUILTINS.has(match[1]!))
            this.error(`A static import of the built-in "${match[1]}" was left: ${match[0]}`);
        }
        return { code: rewritten, map: null };
      },
    },
  };
}
