/** Built-in workload profiles: importing this module registers them (one line per profile). */
import './web.js';
import './api.js';
import './postgres.js';
import './redis.js';
import './dns.js';
import './apiserver.js';
import './monitoring.js';
import './icmp.js';

export { workloadProfiles, registerProfile, servicePort, probeOf, type WorkloadProfile, type ProfileEnv } from './registry.js';
