#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// Development entry: runs the TypeScript sources directly (oclif maps dist/ to src/ through tsconfig.json).
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
