import { Command } from 'commander';
import { detectors } from '../detectors/index.js';
import { thresholders } from '../thresholds/index.js';

export function detectorsCommand(): Command {
  return new Command('detectors')
    .description('list the registered detectors and threshold methods with their default parameters')
    .option('--json', 'print as JSON')
    .action((o: { json?: boolean }) => {
      const list = detectors.all().map((d) => ({ name: d.type, description: d.description, defaults: d.schema.parse({}) }));
      const th = thresholders.all().map((t) => ({ name: t.type, description: t.description, defaults: t.schema.parse({}) }));
      if (o.json) {
        process.stdout.write(JSON.stringify({ detectors: list, thresholds: th }, null, 2) + '\n');
        return;
      }
      const lines = ['Detectors (--detector NAME, --param key=value):'];
      for (const d of list) lines.push(`  ${d.name.padEnd(8)} ${d.description}`, `           defaults ${JSON.stringify(d.defaults)}`);
      lines.push('', 'Threshold methods (--threshold NAME, --threshold-param key=value):');
      for (const t of th) lines.push(`  ${t.name.padEnd(14)} ${t.description}`, `                 defaults ${JSON.stringify(t.defaults)}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}

