const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const ts = require('typescript');

/**
 * Jest transformer for the ESM-only packages in node_modules (Nest 12's `@nestjs/*`).
 *
 * Node 20.19+ loads them from CommonJS through `require(esm)`, but Jest's module runtime
 * cannot (before Node 24.9 it throws "Must use import to load ES Module"), so each file is
 * compiled to CommonJS once and cached: `import`/`export` to `require`/`exports`, `import()`
 * to `require`, `import.meta` (which has no CommonJS form) to an object built from
 * `__filename`, and the module's own `const require = createRequire(import.meta.url)` (or
 * `__filename`, `__dirname`) dropped, since CommonJS has them already (as Jest's, so its
 * mocks apply) and redeclaring them is a SyntaxError. Outside Jest the packages run as ESM.
 */

/** What `import.meta` becomes: the members Nest's packages read (`url`, `dirname`, `resolve`). */
const IMPORT_META = '__esmImportMeta';
const IMPORT_META_PRELUDE =
  `const ${IMPORT_META} = { url: require('node:url').pathToFileURL(__filename).href, ` +
  `filename: __filename, dirname: __dirname, ` +
  `resolve: (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href };`;

const COMPILER_OPTIONS = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  // ESM's `import x from 'cjs'` is `module.exports`; the interop helpers keep that true.
  esModuleInterop: true,
  allowJs: true,
  sourceMap: false,
  inlineSourceMap: false,
};

/** The CommonJS wrapper's names that ESM code rebuilds from `import.meta.url`. */
const WRAPPER_NAMES = new Set(['require', '__filename', '__dirname']);

/** `const require = createRequire(import.meta.url);` and the like, at the top level. */
const redeclaresWrapper = (statement) =>
  ts.isVariableStatement(statement) &&
  statement.declarationList.declarations.every(
    (declaration) => ts.isIdentifier(declaration.name) && WRAPPER_NAMES.has(declaration.name.text),
  );

/** Rewrites what only ESM has, noting in `seen` whether the prelude is needed. */
function esmOnlyTransformer(seen) {
  return (context) => {
    const visit = (node) => {
      if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
        seen.importMeta = true;
        return context.factory.createIdentifier(IMPORT_META);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (sourceFile) => {
      const statements = sourceFile.statements.filter((statement) => !redeclaresWrapper(statement));
      const kept = context.factory.updateSourceFile(sourceFile, statements);
      return ts.visitNode(kept, visit);
    };
  };
}

const selfHash = createHash('sha256')
  .update(readFileSync(__filename))
  .update(ts.version)
  .digest('hex');

module.exports = {
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256')
      .update(selfHash)
      .update(sourcePath)
      .update(sourceText)
      .digest('hex');
  },

  process(sourceText, sourcePath) {
    const seen = { importMeta: false };
    const { outputText } = ts.transpileModule(sourceText, {
      fileName: sourcePath,
      compilerOptions: COMPILER_OPTIONS,
      transformers: { before: [esmOnlyTransformer(seen)] },
    });
    if (!seen.importMeta) return { code: outputText };
    // On the first line, after "use strict", so every line number of the file stays the same.
    const code = outputText.replace(
      /^("use strict";)?/,
      (strict) => `${strict}${IMPORT_META_PRELUDE}`,
    );
    return { code };
  },
};
