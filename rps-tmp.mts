import { pgliteRecordsPerSecond } from './bench/embedded.bench.js';
console.log((await pgliteRecordsPerSecond(process.argv[2]!, 500)).toFixed(0), 'records/s');
process.exit(0);
