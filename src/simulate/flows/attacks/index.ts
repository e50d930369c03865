/** Built-in attack scenarios: importing this module registers them (one line per scenario). */
import './portscan.js';
import './synflood.js';
import './httpflood.js';
import './reverseshell.js';
import './exfiltration.js';
import './cryptomining.js';

export { attackScenarios, registerScenario, type AttackScenario, type AttackSpec, type AttackWindow, type AttackEnv, type AttackPlan, type EntityRef } from './registry.js';
