/** Ingest throughput in a fresh process: rows/s and peak RSS for one full streaming read. Prints one JSON line. */
import { measureIngest, type TabularFormat } from '../src/ingest/index.js';

const [format, ...files] = process.argv.slice(2);
measureIngest(format as TabularFormat, files)
  .then((m) => process.stdout.write(JSON.stringify({ ...m, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }) + '\n'))
  .catch((e: unknown) => {
    process.stderr.write(`ingest worker failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
