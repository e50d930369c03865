/**
 * CICFlowMeter column names. Canonical names are those of CICFlowMeter-V4 (the Kubernetes dataset); the
 * CIC-IDS2017 (`MachineLearningCSV` / `TrafficLabelling`, often with leading spaces) and CSE-CIC-IDS2018
 * (abbreviated) spellings map onto them, so a model trained on one scheme scores the other. Matching ignores case,
 * surrounding spaces and repeated inner spaces.
 */

/** The 87 CICFlowMeter-V4 columns in file order. */
export const V4_COLUMNS = [
  'Flow ID', 'Src IP', 'Src Port', 'Dst IP', 'Dst Port', 'Protocol', 'Timestamp', 'Flow Duration',
  'Total Fwd Packet', 'Total Bwd packets', 'Total Length of Fwd Packet', 'Total Length of Bwd Packet',
  'Fwd Packet Length Max', 'Fwd Packet Length Min', 'Fwd Packet Length Mean', 'Fwd Packet Length Std',
  'Bwd Packet Length Max', 'Bwd Packet Length Min', 'Bwd Packet Length Mean', 'Bwd Packet Length Std',
  'Flow Bytes/s', 'Flow Packets/s', 'Flow IAT Mean', 'Flow IAT Std', 'Flow IAT Max', 'Flow IAT Min',
  'Fwd IAT Total', 'Fwd IAT Mean', 'Fwd IAT Std', 'Fwd IAT Max', 'Fwd IAT Min',
  'Bwd IAT Total', 'Bwd IAT Mean', 'Bwd IAT Std', 'Bwd IAT Max', 'Bwd IAT Min',
  'Fwd PSH Flags', 'Bwd PSH Flags', 'Fwd URG Flags', 'Bwd URG Flags', 'Fwd RST Flags', 'Bwd RST Flags',
  'Fwd Header Length', 'Bwd Header Length', 'Fwd Packets/s', 'Bwd Packets/s',
  'Packet Length Min', 'Packet Length Max', 'Packet Length Mean', 'Packet Length Std', 'Packet Length Variance',
  'FIN Flag Count', 'SYN Flag Count', 'RST Flag Count', 'PSH Flag Count', 'ACK Flag Count', 'URG Flag Count',
  'CWR Flag Count', 'ECE Flag Count', 'Down/Up Ratio', 'Average Packet Size',
  'Fwd Segment Size Avg', 'Bwd Segment Size Avg', 'Fwd Bytes/Bulk Avg', 'Fwd Packet/Bulk Avg', 'Fwd Bulk Rate Avg',
  'Bwd Bytes/Bulk Avg', 'Bwd Packet/Bulk Avg', 'Bwd Bulk Rate Avg',
  'Subflow Fwd Packets', 'Subflow Fwd Bytes', 'Subflow Bwd Packets', 'Subflow Bwd Bytes',
  'FWD Init Win Bytes', 'Bwd Init Win Bytes', 'Fwd Act Data Pkts', 'Fwd Seg Size Min',
  'Active Mean', 'Active Std', 'Active Max', 'Active Min', 'Idle Mean', 'Idle Std', 'Idle Max', 'Idle Min',
  'Total TCP Flow Time', 'Label',
] as const;

/** Other spellings -> V4 name. */
const ALIASES: Record<string, string> = {
  // CIC-IDS2017
  'Source IP': 'Src IP',
  'Source Port': 'Src Port',
  'Destination IP': 'Dst IP',
  'Destination Port': 'Dst Port',
  'Total Fwd Packets': 'Total Fwd Packet',
  'Total Backward Packets': 'Total Bwd packets',
  'Total Length of Fwd Packets': 'Total Length of Fwd Packet',
  'Total Length of Bwd Packets': 'Total Length of Bwd Packet',
  'Min Packet Length': 'Packet Length Min',
  'Max Packet Length': 'Packet Length Max',
  'CWE Flag Count': 'CWR Flag Count',
  'Avg Fwd Segment Size': 'Fwd Segment Size Avg',
  'Avg Bwd Segment Size': 'Bwd Segment Size Avg',
  'Fwd Avg Bytes/Bulk': 'Fwd Bytes/Bulk Avg',
  'Fwd Avg Packets/Bulk': 'Fwd Packet/Bulk Avg',
  'Fwd Avg Bulk Rate': 'Fwd Bulk Rate Avg',
  'Bwd Avg Bytes/Bulk': 'Bwd Bytes/Bulk Avg',
  'Bwd Avg Packets/Bulk': 'Bwd Packet/Bulk Avg',
  'Bwd Avg Bulk Rate': 'Bwd Bulk Rate Avg',
  Init_Win_bytes_forward: 'FWD Init Win Bytes',
  Init_Win_bytes_backward: 'Bwd Init Win Bytes',
  act_data_pkt_fwd: 'Fwd Act Data Pkts',
  min_seg_size_forward: 'Fwd Seg Size Min',
  // CSE-CIC-IDS2018
  'Tot Fwd Pkts': 'Total Fwd Packet',
  'Tot Bwd Pkts': 'Total Bwd packets',
  'TotLen Fwd Pkts': 'Total Length of Fwd Packet',
  'TotLen Bwd Pkts': 'Total Length of Bwd Packet',
  'Fwd Pkt Len Max': 'Fwd Packet Length Max',
  'Fwd Pkt Len Min': 'Fwd Packet Length Min',
  'Fwd Pkt Len Mean': 'Fwd Packet Length Mean',
  'Fwd Pkt Len Std': 'Fwd Packet Length Std',
  'Bwd Pkt Len Max': 'Bwd Packet Length Max',
  'Bwd Pkt Len Min': 'Bwd Packet Length Min',
  'Bwd Pkt Len Mean': 'Bwd Packet Length Mean',
  'Bwd Pkt Len Std': 'Bwd Packet Length Std',
  'Flow Byts/s': 'Flow Bytes/s',
  'Flow Pkts/s': 'Flow Packets/s',
  'Fwd IAT Tot': 'Fwd IAT Total',
  'Bwd IAT Tot': 'Bwd IAT Total',
  'Fwd Header Len': 'Fwd Header Length',
  'Bwd Header Len': 'Bwd Header Length',
  'Fwd Pkts/s': 'Fwd Packets/s',
  'Bwd Pkts/s': 'Bwd Packets/s',
  'Pkt Len Min': 'Packet Length Min',
  'Pkt Len Max': 'Packet Length Max',
  'Pkt Len Mean': 'Packet Length Mean',
  'Pkt Len Std': 'Packet Length Std',
  'Pkt Len Var': 'Packet Length Variance',
  'FIN Flag Cnt': 'FIN Flag Count',
  'SYN Flag Cnt': 'SYN Flag Count',
  'RST Flag Cnt': 'RST Flag Count',
  'PSH Flag Cnt': 'PSH Flag Count',
  'ACK Flag Cnt': 'ACK Flag Count',
  'URG Flag Cnt': 'URG Flag Count',
  'ECE Flag Cnt': 'ECE Flag Count',
  'Pkt Size Avg': 'Average Packet Size',
  'Fwd Seg Size Avg': 'Fwd Segment Size Avg',
  'Bwd Seg Size Avg': 'Bwd Segment Size Avg',
  'Fwd Byts/b Avg': 'Fwd Bytes/Bulk Avg',
  'Fwd Pkts/b Avg': 'Fwd Packet/Bulk Avg',
  'Fwd Blk Rate Avg': 'Fwd Bulk Rate Avg',
  'Bwd Byts/b Avg': 'Bwd Bytes/Bulk Avg',
  'Bwd Pkts/b Avg': 'Bwd Packet/Bulk Avg',
  'Bwd Blk Rate Avg': 'Bwd Bulk Rate Avg',
  'Subflow Fwd Pkts': 'Subflow Fwd Packets',
  'Subflow Fwd Byts': 'Subflow Fwd Bytes',
  'Subflow Bwd Pkts': 'Subflow Bwd Packets',
  'Subflow Bwd Byts': 'Subflow Bwd Bytes',
  'Init Fwd Win Byts': 'FWD Init Win Bytes',
  'Init Bwd Win Byts': 'Bwd Init Win Bytes',
};

/**
 * Columns that duplicate another one and are dropped: CIC-IDS2017 writes `Fwd Header Length` twice (pandas shows the
 * second as `Fwd Header Length.1`).
 */
export const DUPLICATE_COLUMNS: ReadonlySet<string> = new Set(['Fwd Header Length']);
const DROPPED = new Set(['fwd header length.1']);

/**
 * Identifier columns: kept for output, never features. Ports are identifiers unless includePorts. Row indexes left by
 * pandas exports (`Unnamed: 0`, `id`) and CIC-DDoS2019's text column `SimillarHTTP` are identifiers too: as features
 * they would leak file order or break numeric parsing.
 */
export const ID_COLUMNS: ReadonlySet<string> = new Set(['Flow ID', 'Src IP', 'Dst IP', 'Timestamp', 'Unnamed: 0', 'id', 'SimillarHTTP']);
export const PORT_COLUMNS: ReadonlySet<string> = new Set(['Src Port', 'Dst Port']);
export const LABEL_COLUMN = 'Label';

function key(name: string): string {
  return name.trim().replace(/ +/g, ' ').toLowerCase();
}

const CANONICAL = new Map<string, string>();
for (const n of V4_COLUMNS) CANONICAL.set(key(n), n);
for (const [alias, n] of Object.entries(ALIASES)) CANONICAL.set(key(alias), n);

/** Canonical name of a header cell: the V4 spelling when known, else the trimmed name; null when dropped. */
export function canonicalName(headerCell: string): string | null {
  const k = key(headerCell);
  if (DROPPED.has(k)) return null;
  return CANONICAL.get(k) ?? headerCell.trim();
}
