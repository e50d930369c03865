/**
 * The CICFlowMeter-V4 flow schema (87 columns, `Label` last) exactly as the GintsEngelen fork writes it in the
 * k8s-flows captures, and the typed record the simulator produces. One table maps each column to its record field
 * and to how the fork prints it, so the header, the record and the CSV writer cannot drift apart.
 */

/**
 * How a column is printed. `float`: Java `Double.toString`. `int`: a Java long. The group kinds print `0` (an int)
 * instead of the float statistics when the fork had no samples for the group, as the real files do.
 */
export type ColumnKind =
  | 'str'
  | 'int'
  | 'float'
  | 'timestamp'
  | 'fwdIat' // `0` when the flow has at most one forward packet
  | 'bwdIat' // `0` when the flow has at most one backward packet
  | 'bwdLen' // `0` when the flow has no backward packet
  | 'active' // `0` when no active period was recorded
  | 'idle'; // `0` when no idle period was recorded

/** One simulated flow: the 87 CICFlowMeter-V4 columns as named, typed fields. */
export interface FlowRecord {
  flowId: string;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  protocol: number;
  /** First packet time, microseconds since the Unix epoch (printed as `YYYY-MM-DD HH:MM:SS.ffffff`, UTC). */
  timestampUs: number;
  flowDuration: number;
  totalFwdPackets: number;
  totalBwdPackets: number;
  totalLengthFwdPackets: number;
  totalLengthBwdPackets: number;
  fwdPacketLengthMax: number;
  fwdPacketLengthMin: number;
  fwdPacketLengthMean: number;
  fwdPacketLengthStd: number;
  bwdPacketLengthMax: number;
  bwdPacketLengthMin: number;
  bwdPacketLengthMean: number;
  bwdPacketLengthStd: number;
  flowBytesPerSec: number;
  flowPacketsPerSec: number;
  flowIatMean: number;
  flowIatStd: number;
  flowIatMax: number;
  flowIatMin: number;
  fwdIatTotal: number;
  fwdIatMean: number;
  fwdIatStd: number;
  fwdIatMax: number;
  fwdIatMin: number;
  bwdIatTotal: number;
  bwdIatMean: number;
  bwdIatStd: number;
  bwdIatMax: number;
  bwdIatMin: number;
  fwdPshFlags: number;
  bwdPshFlags: number;
  fwdUrgFlags: number;
  bwdUrgFlags: number;
  fwdRstFlags: number;
  bwdRstFlags: number;
  fwdHeaderLength: number;
  bwdHeaderLength: number;
  fwdPacketsPerSec: number;
  bwdPacketsPerSec: number;
  packetLengthMin: number;
  packetLengthMax: number;
  packetLengthMean: number;
  packetLengthStd: number;
  packetLengthVariance: number;
  finFlagCount: number;
  synFlagCount: number;
  rstFlagCount: number;
  pshFlagCount: number;
  ackFlagCount: number;
  urgFlagCount: number;
  cwrFlagCount: number;
  eceFlagCount: number;
  downUpRatio: number;
  averagePacketSize: number;
  fwdSegmentSizeAvg: number;
  bwdSegmentSizeAvg: number;
  fwdBytesPerBulkAvg: number;
  fwdPacketsPerBulkAvg: number;
  fwdBulkRateAvg: number;
  bwdBytesPerBulkAvg: number;
  bwdPacketsPerBulkAvg: number;
  bwdBulkRateAvg: number;
  subflowFwdPackets: number;
  subflowFwdBytes: number;
  subflowBwdPackets: number;
  subflowBwdBytes: number;
  fwdInitWinBytes: number;
  bwdInitWinBytes: number;
  fwdActDataPkts: number;
  fwdSegSizeMin: number;
  activeMean: number;
  activeStd: number;
  activeMax: number;
  activeMin: number;
  idleMean: number;
  idleStd: number;
  idleMax: number;
  idleMin: number;
  totalTcpFlowTime: number;
  /** `0` for benign flows, the attack class name (e.g. `portscan`) otherwise. */
  label: string;
}

export type ColumnSpec = readonly [name: string, field: keyof FlowRecord, kind: ColumnKind];

/** Column name, record field and print kind, in file order. */
export const COLUMN_SPECS: readonly ColumnSpec[] = Object.freeze([
  ['Flow ID', 'flowId', 'str'],
  ['Src IP', 'srcIp', 'str'],
  ['Src Port', 'srcPort', 'int'],
  ['Dst IP', 'dstIp', 'str'],
  ['Dst Port', 'dstPort', 'int'],
  ['Protocol', 'protocol', 'int'],
  ['Timestamp', 'timestampUs', 'timestamp'],
  ['Flow Duration', 'flowDuration', 'int'],
  ['Total Fwd Packet', 'totalFwdPackets', 'int'],
  ['Total Bwd packets', 'totalBwdPackets', 'int'],
  ['Total Length of Fwd Packet', 'totalLengthFwdPackets', 'float'],
  ['Total Length of Bwd Packet', 'totalLengthBwdPackets', 'float'],
  ['Fwd Packet Length Max', 'fwdPacketLengthMax', 'float'],
  ['Fwd Packet Length Min', 'fwdPacketLengthMin', 'float'],
  ['Fwd Packet Length Mean', 'fwdPacketLengthMean', 'float'],
  ['Fwd Packet Length Std', 'fwdPacketLengthStd', 'float'],
  ['Bwd Packet Length Max', 'bwdPacketLengthMax', 'bwdLen'],
  ['Bwd Packet Length Min', 'bwdPacketLengthMin', 'bwdLen'],
  ['Bwd Packet Length Mean', 'bwdPacketLengthMean', 'bwdLen'],
  ['Bwd Packet Length Std', 'bwdPacketLengthStd', 'bwdLen'],
  ['Flow Bytes/s', 'flowBytesPerSec', 'float'],
  ['Flow Packets/s', 'flowPacketsPerSec', 'float'],
  ['Flow IAT Mean', 'flowIatMean', 'float'],
  ['Flow IAT Std', 'flowIatStd', 'float'],
  ['Flow IAT Max', 'flowIatMax', 'float'],
  ['Flow IAT Min', 'flowIatMin', 'float'],
  ['Fwd IAT Total', 'fwdIatTotal', 'fwdIat'],
  ['Fwd IAT Mean', 'fwdIatMean', 'fwdIat'],
  ['Fwd IAT Std', 'fwdIatStd', 'fwdIat'],
  ['Fwd IAT Max', 'fwdIatMax', 'fwdIat'],
  ['Fwd IAT Min', 'fwdIatMin', 'fwdIat'],
  ['Bwd IAT Total', 'bwdIatTotal', 'bwdIat'],
  ['Bwd IAT Mean', 'bwdIatMean', 'bwdIat'],
  ['Bwd IAT Std', 'bwdIatStd', 'bwdIat'],
  ['Bwd IAT Max', 'bwdIatMax', 'bwdIat'],
  ['Bwd IAT Min', 'bwdIatMin', 'bwdIat'],
  ['Fwd PSH Flags', 'fwdPshFlags', 'int'],
  ['Bwd PSH Flags', 'bwdPshFlags', 'int'],
  ['Fwd URG Flags', 'fwdUrgFlags', 'int'],
  ['Bwd URG Flags', 'bwdUrgFlags', 'int'],
  ['Fwd RST Flags', 'fwdRstFlags', 'int'],
  ['Bwd RST Flags', 'bwdRstFlags', 'int'],
  ['Fwd Header Length', 'fwdHeaderLength', 'int'],
  ['Bwd Header Length', 'bwdHeaderLength', 'int'],
  ['Fwd Packets/s', 'fwdPacketsPerSec', 'float'],
  ['Bwd Packets/s', 'bwdPacketsPerSec', 'float'],
  ['Packet Length Min', 'packetLengthMin', 'float'],
  ['Packet Length Max', 'packetLengthMax', 'float'],
  ['Packet Length Mean', 'packetLengthMean', 'float'],
  ['Packet Length Std', 'packetLengthStd', 'float'],
  ['Packet Length Variance', 'packetLengthVariance', 'float'],
  ['FIN Flag Count', 'finFlagCount', 'int'],
  ['SYN Flag Count', 'synFlagCount', 'int'],
  ['RST Flag Count', 'rstFlagCount', 'int'],
  ['PSH Flag Count', 'pshFlagCount', 'int'],
  ['ACK Flag Count', 'ackFlagCount', 'int'],
  ['URG Flag Count', 'urgFlagCount', 'int'],
  ['CWR Flag Count', 'cwrFlagCount', 'int'],
  ['ECE Flag Count', 'eceFlagCount', 'int'],
  ['Down/Up Ratio', 'downUpRatio', 'float'],
  ['Average Packet Size', 'averagePacketSize', 'float'],
  ['Fwd Segment Size Avg', 'fwdSegmentSizeAvg', 'float'],
  ['Bwd Segment Size Avg', 'bwdSegmentSizeAvg', 'float'],
  ['Fwd Bytes/Bulk Avg', 'fwdBytesPerBulkAvg', 'int'],
  ['Fwd Packet/Bulk Avg', 'fwdPacketsPerBulkAvg', 'int'],
  ['Fwd Bulk Rate Avg', 'fwdBulkRateAvg', 'int'],
  ['Bwd Bytes/Bulk Avg', 'bwdBytesPerBulkAvg', 'int'],
  ['Bwd Packet/Bulk Avg', 'bwdPacketsPerBulkAvg', 'int'],
  ['Bwd Bulk Rate Avg', 'bwdBulkRateAvg', 'int'],
  ['Subflow Fwd Packets', 'subflowFwdPackets', 'int'],
  ['Subflow Fwd Bytes', 'subflowFwdBytes', 'int'],
  ['Subflow Bwd Packets', 'subflowBwdPackets', 'int'],
  ['Subflow Bwd Bytes', 'subflowBwdBytes', 'int'],
  ['FWD Init Win Bytes', 'fwdInitWinBytes', 'int'],
  ['Bwd Init Win Bytes', 'bwdInitWinBytes', 'int'],
  ['Fwd Act Data Pkts', 'fwdActDataPkts', 'int'],
  ['Fwd Seg Size Min', 'fwdSegSizeMin', 'int'],
  ['Active Mean', 'activeMean', 'active'],
  ['Active Std', 'activeStd', 'active'],
  ['Active Max', 'activeMax', 'active'],
  ['Active Min', 'activeMin', 'active'],
  ['Idle Mean', 'idleMean', 'idle'],
  ['Idle Std', 'idleStd', 'idle'],
  ['Idle Max', 'idleMax', 'idle'],
  ['Idle Min', 'idleMin', 'idle'],
  ['Total TCP Flow Time', 'totalTcpFlowTime', 'int'],
  ['Label', 'label', 'str'],
] as const satisfies readonly ColumnSpec[]);

/** The 87 CICFlowMeter-V4 column names in file order (`Label` last), as in the k8s-flows headers. */
export const CICFLOWMETER_V4_COLUMNS: readonly string[] = Object.freeze(COLUMN_SPECS.map((c) => c[0]));

/** Label value of benign rows (the k8s-flows convention). */
export const BENIGN_LABEL = '0';
