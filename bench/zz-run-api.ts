export {};
import { benchApi } from './api.bench.js';
const lines = await benchApi({ events: Number(process.argv[2] ?? 100000), seconds: Number(process.argv[3] ?? 10) });
for (const l of lines) console.log(l);
process.exit(0);
