// vitest setupFiles entry: hooks here run for every test file.
import { afterAll, expect } from 'vitest';
import { saveCoverage } from './transition-coverage.js';

afterAll(() => saveCoverage(expect.getState().testPath ?? 'unknown'));
