/**
 * The package README a new user follows, proved: every fenced `ts` block of
 * libs/approval-events/README.md compiles, each as a file of its own, against the types the
 * package ships (the library's declarations built into a temporary folder with its own
 * tsconfig.lib.json, `stripInternal` included, stand in for `nestjs-approval-events`) and the
 * monorepo's installed peers (`@nestjs/*`, `rxjs`, `socket.io-client`, `@nestjs/config`), so
 * it needs neither the registry nor a packed tarball. And the README's "Public API" names
 * exactly what the API reports in libs/approval-events/etc/ list.
 *
 * Nothing is written inside the repository: the declarations and snippets live in a
 * temporary folder, removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const libraryDir = path.join(root, 'libs/approval-events');
const readme = readFileSync(path.join(libraryDir, 'README.md'), 'utf8');

interface Snippet {
  /** The README line of the block's first line of code. */
  line: number;
  file: string;
  code: string;
}

/** Every ```ts block, with the README line it starts on. */
function tsBlocks(markdown: string): Snippet[] {
  const blocks: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    if (lines[index].trim() !== '```ts') continue;
    const start = index + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    const number = String(blocks.length + 1).padStart(2, '0');
    blocks.push({
      line: start + 1,
      file: `snippet-${number}-line-${start + 1}.ts`,
      code: lines.slice(start, end).join('\n'),
    });
    index = end;
  }
  return blocks;
}

const snippets = tsBlocks(readme);

/** The README's "Public API" section: from its heading to the next one. */
function publicApiSection(markdown: string): string {
  const start = markdown.indexOf('\n## Public API\n');
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** The names each API report says its entry point exports. */
function reportedExports(): string[] {
  const etc = path.join(libraryDir, 'etc');
  const names = new Set<string>();
  for (const file of readdirSync(etc).filter((name) => name.endsWith('.api.md'))) {
    const report = readFileSync(path.join(etc, file), 'utf8');
    for (const match of report.matchAll(
      /^export (?:declare )?(?:abstract )?(?:class|interface|type|const|function|enum) ([\w$]+)/gm,
    )) {
      names.add(match[1]);
    }
  }
  return [...names].sort();
}

function run(args: string[], cwd: string) {
  return spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

describe('the package README', () => {
  let workDir: string;
  /** tsc's diagnostics, by snippet file. */
  const diagnostics = new Map<string, string[]>();

  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'approval-events-readme-'));
    const types = path.join(workDir, 'types');
    const built = run(
      [
        '-p',
        path.join(libraryDir, 'tsconfig.lib.json'),
        '--outDir',
        types,
        '--emitDeclarationOnly',
      ],
      root,
    );
    if (built.status !== 0) {
      throw new Error(`Building the declarations failed:\n${built.stdout}${built.stderr}`);
    }
    const snippetDir = path.join(workDir, 'snippets');
    mkdirSync(snippetDir);
    for (const { file, code } of snippets) {
      // A block without import or export would be a script sharing one global scope.
      const moduleCode = /^\s*(import|export)\s/m.test(code) ? code : `${code}\nexport {};\n`;
      writeFileSync(path.join(snippetDir, file), moduleCode);
    }
    writeFileSync(
      path.join(workDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          // Nest 12's CommonJS starter's settings; `skipLibCheck` as it has it.
          target: 'ES2023',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: true,
          noEmit: true,
          // Absolute, since TypeScript 6 deprecates `baseUrl`.
          paths: {
            'nestjs-approval-events': [path.join(types, 'index.d.ts')],
            'nestjs-approval-events/gateway': [path.join(types, 'gateway/index.d.ts')],
            '*': [path.join(root, 'node_modules/*'), path.join(root, 'node_modules/@types/*')],
          },
          typeRoots: [path.join(root, 'node_modules/@types')],
          types: ['node'],
        },
        files: snippets.map(({ file }) => path.join('snippets', file)),
      }),
    );
    const checked = run(['-p', workDir, '--pretty', 'false'], workDir);
    for (const line of `${checked.stdout}${checked.stderr}`.split('\n')) {
      const file = /snippets[\\/](snippet-[\w-]+\.ts)\(/.exec(line)?.[1];
      const key = file ?? 'elsewhere';
      if (line.trim()) diagnostics.set(key, [...(diagnostics.get(key) ?? []), line]);
    }
  }, 300_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('has the snippets a new user needs', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(12);
    for (const used of [
      'forRootAsync',
      'waitForApproval',
      'emitWithAck',
      "'approval:voted'",
      'storeNotifyUrl',
      'approvalsApiUrl',
    ]) {
      expect(snippets.some(({ code }) => code.includes(used))).toBe(true);
    }
  });

  it.each(snippets.map((snippet) => [snippet.line, snippet] as const))(
    'compiles the ts block at README line %d',
    (_line, { file }) => {
      expect(diagnostics.get(file) ?? []).toEqual([]);
    },
  );

  it('leaves no diagnostic outside the snippets', () => {
    expect(diagnostics.get('elsewhere') ?? []).toEqual([]);
  });

  it('names in its Public API exactly what the API reports list', () => {
    const section = publicApiSection(readme);
    const exported = reportedExports();
    expect(exported.length).toBeGreaterThan(40);
    const listed = new Set([...section.matchAll(/`([A-Za-z_$][\w$]*)/g)].map((match) => match[1]));
    expect(exported.filter((name) => !listed.has(name))).toEqual([]);
    // Every exported-looking name the section lists (a class, type or constant) is exported.
    const looksExported = [...listed].filter((name) => /^[A-Z]/.test(name));
    expect(looksExported.filter((name) => !exported.includes(name))).toEqual([]);
  });
});
