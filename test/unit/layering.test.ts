import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * functions/ is what ships in the Lambdas: it must not reach into the CDK app
 * or the local stack (lib/). The local stack adapts to the functions, never the
 * reverse. The settings the deployed stack and the consumers must agree on (queue
 * receive count, table keys) live in functions/shared, and lib/ re-exports them.
 */
const ROOT = resolve(import.meta.dirname, '../..');

const sourceFiles = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });

/** Every module specifier of a file: static imports and re-exports, `import type`, dynamic `import()`. */
const importSpecifiers = (source: string): string[] =>
  [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g)].map((match) => match[2] ?? '');

/** Where a specifier points inside the repository, or undefined for a package. */
const resolveSpecifier = (file: string, specifier: string): string | undefined => {
  if (specifier.startsWith('#lib/')) return `lib/${specifier.slice('#lib/'.length)}`;
  if (specifier.startsWith('#functions/')) return `functions/${specifier.slice('#functions/'.length)}`;
  if (!specifier.startsWith('.')) return undefined;
  return relative(ROOT, resolve(dirname(file), specifier)).split('\\').join('/');
};

const libImports = () =>
  sourceFiles(join(ROOT, 'functions')).flatMap((file) =>
    importSpecifiers(readFileSync(file, 'utf8'))
      .map((specifier) => ({ file: relative(ROOT, file), specifier, target: resolveSpecifier(file, specifier) }))
      .filter(({ target }) => target?.startsWith('lib/')),
  );

describe('layering: functions/ does not import lib/', () => {
  it('finds every form of import (so the scan below can fail)', () => {
    expect(
      importSpecifiers(`import a from '../a.ts';\nimport type { B } from "../../lib/local/b.ts";\nexport * from './c.ts';\nconst d = await import('#lib/d.ts');\nimport './side-effect.ts';`),
    ).toEqual(['../a.ts', '../../lib/local/b.ts', './c.ts', '#lib/d.ts', './side-effect.ts']);
  });

  it('nothing under functions/ imports the local stack (lib/local/)', () => {
    expect(libImports().filter(({ target }) => target?.startsWith('lib/local/'))).toEqual([]);
  });

  it('nothing under functions/ imports lib/ at all', () => {
    expect(libImports()).toEqual([]);
  });
});
