#!/usr/bin/env node
// `mikado hook pre-commit`, as the installed pre-commit hook starts it: CommonJS from end to end,
// so Node starts it without its ES module loader. The hook uses this file only when
// dist/pre-commit.cjs exists (else it runs bin/mikado.js, which builds dist/ first).
require('../dist/pre-commit.cjs').runPreCommit();
