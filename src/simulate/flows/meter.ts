/**
 * A CICFlowMeter in miniature: packets in, FlowRecords out. Every column of a simulated flow is computed from the
 * simulated packets (never sampled on its own), so the derived columns are consistent with each other the way
 * they are in real captures. The formulas follow the GintsEngelen CICFlowMeter-V4 fork used for the k8s-flows
 * data, quirks included (see `FlowStats.toRecord`). Memory per open flow is O(1): running moments, no packet list.
 */
import type { FlowRecord } from './columns.js';

/** A flow is cut (and a new one with the same Flow ID begins) when a packet arrives this long after its start. */
export const FLOW_TIMEOUT_US = 120_000_000;
/** A gap longer than this ends an active period and records an idle one. */
export const ACTIVITY_TIMEOUT_US = 5_000_000;

export const FIN = 1;
export const SYN = 2;
export const RST = 4;
export const PSH = 8;
export const ACK = 16;
export const URG = 32;
export const ECE = 64;
export const CWR = 128;

export const TCP = 6;
export const UDP = 17;
/** Non-TCP/UDP traffic (ICMP, tunnels): the fork prints protocol 0 with ports 0 and zero lengths. */
export const OTHER = 0;

/** Running statistics with the update order of Apache Commons Math `SummaryStatistics` (same float results). */
export class Moments {
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private m1 = 0;
  private m2 = 0;

  add(x: number): void {
    this.n++;
    const dev = x - this.m1;
    const nDev = dev / this.n;
    this.m1 += nDev;
    this.m2 += (this.n - 1) * dev * nDev;
    this.sum += x;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Mean, or `empty` when there are no samples. */
  mean(empty = 0): number {
    return this.n === 0 ? empty : this.m1;
  }

  /** Bias-corrected variance (0 for one sample). */
  variance(empty = 0): number {
    return this.n === 0 ? empty : this.n === 1 ? 0 : this.m2 / (this.n - 1);
  }

  std(empty = 0): number {
    return this.n === 0 ? empty : Math.sqrt(this.variance());
  }

  minOr(empty = 0): number {
    return this.n === 0 ? empty : this.min;
  }

  maxOr(empty = 0): number {
    return this.n === 0 ? empty : this.max;
  }
}

export interface Endpoint {
  ip: string;
  port: number;
}

/** Statistics of one flow (one CSV row) while packets arrive. */
export class FlowStats {
  readonly fwdLen = new Moments();
  readonly bwdLen = new Moments();
  readonly allLen = new Moments();
  readonly flowIat = new Moments();
  readonly fwdIat = new Moments();
  readonly bwdIat = new Moments();
  readonly active = new Moments();
  readonly idle = new Moments();
  lastUs: number;
  private lastFwdUs = -1;
  private lastBwdUs = -1;
  private activeStartUs: number;
  private activeEndUs: number;
  // Flag counters: [FIN, SYN, RST, PSH, ACK, URG, CWR, ECE] for the flow, plus per-direction PSH/URG/RST.
  private fin = 0;
  private syn = 0;
  private rst = 0;
  private psh = 0;
  private ack = 0;
  private urg = 0;
  private cwr = 0;
  private ece = 0;
  private fwdPsh = 0;
  private bwdPsh = 0;
  private fwdUrg = 0;
  private bwdUrg = 0;
  private fwdRst = 0;
  private bwdRst = 0;
  private fwdHdr = 0;
  private bwdHdr = 0;
  private fwdHdrMin = Infinity;
  private fwdInitWin = -1;
  private bwdInitWin = -1;
  private fwdActData = 0;

  constructor(
    readonly startUs: number,
    /** True when endpoint A of the connection sent this flow's first packet (A is then `Src`). */
    readonly fwdIsA: boolean,
  ) {
    this.lastUs = startUs;
    this.activeStartUs = startUs;
    this.activeEndUs = startUs;
  }

  add(t: number, fwd: boolean, len: number, flags: number, win: number, hdr: number): void {
    const first = this.allLen.n === 0;
    if (!first) {
      this.flowIat.add(t - this.lastUs);
      // Activity: the fork records the active period that a long gap closes, never the final one.
      if (t - this.activeEndUs > ACTIVITY_TIMEOUT_US) {
        if (this.activeEndUs - this.activeStartUs > 0) this.active.add(this.activeEndUs - this.activeStartUs);
        this.idle.add(t - this.activeEndUs);
        this.activeStartUs = t;
      }
      this.activeEndUs = t;
    }
    this.allLen.add(len);
    if (flags & FIN) this.fin++;
    if (flags & SYN) this.syn++;
    if (flags & RST) this.rst++;
    if (flags & PSH) this.psh++;
    if (flags & ACK) this.ack++;
    if (flags & URG) this.urg++;
    if (flags & CWR) this.cwr++;
    if (flags & ECE) this.ece++;
    if (fwd) {
      if (this.lastFwdUs >= 0) this.fwdIat.add(t - this.lastFwdUs);
      this.lastFwdUs = t;
      this.fwdLen.add(len);
      this.fwdHdr += hdr;
      if (hdr < this.fwdHdrMin) this.fwdHdrMin = hdr;
      if (this.fwdInitWin < 0) this.fwdInitWin = win;
      if (!first && len > 0) this.fwdActData++; // the fork counts from the second packet on
      if (flags & PSH) this.fwdPsh++;
      if (flags & URG) this.fwdUrg++;
      if (flags & RST) this.fwdRst++;
    } else {
      if (this.lastBwdUs >= 0) this.bwdIat.add(t - this.lastBwdUs);
      this.lastBwdUs = t;
      this.bwdLen.add(len);
      this.bwdHdr += hdr;
      // The fork reports the window of the first backward segment after the handshake (scaled), not the SYN-ACK's.
      if (this.bwdInitWin < 0 && !(flags & SYN)) this.bwdInitWin = win;
      if (flags & PSH) this.bwdPsh++;
      if (flags & URG) this.bwdUrg++;
      if (flags & RST) this.bwdRst++;
    }
    this.lastUs = t;
  }

  get packets(): number {
    return this.allLen.n;
  }

  /**
   * The row. Fork quirks kept on purpose: Fwd/Bwd Packets/s are 0 for a zero duration while Flow Bytes/s and
   * Flow Packets/s divide by zero (Infinity, or NaN for 0/0); Flow IAT stats are NaN without samples; the subflow
   * columns divide by the packet count (the fork's subflow counter increments on every packet).
   */
  toRecord(src: Endpoint, dst: Endpoint, protocol: number, connStartUs: number, label: string): FlowRecord {
    const { fwdLen: f, bwdLen: b, allLen: a } = this;
    const duration = this.lastUs - this.startUs;
    const seconds = duration / 1e6;
    const packets = a.n;
    const bytes = f.sum + b.sum;
    return {
      flowId: `${src.ip}-${dst.ip}-${src.port}-${dst.port}-${protocol}`,
      srcIp: src.ip,
      srcPort: src.port,
      dstIp: dst.ip,
      dstPort: dst.port,
      protocol,
      timestampUs: this.startUs,
      flowDuration: duration,
      totalFwdPackets: f.n,
      totalBwdPackets: b.n,
      totalLengthFwdPackets: f.sum,
      totalLengthBwdPackets: b.sum,
      fwdPacketLengthMax: f.maxOr(),
      fwdPacketLengthMin: f.minOr(),
      fwdPacketLengthMean: f.mean(),
      fwdPacketLengthStd: f.std(),
      bwdPacketLengthMax: b.maxOr(),
      bwdPacketLengthMin: b.minOr(),
      bwdPacketLengthMean: b.mean(),
      bwdPacketLengthStd: b.std(),
      flowBytesPerSec: bytes / seconds,
      flowPacketsPerSec: packets / seconds,
      flowIatMean: this.flowIat.mean(NaN),
      flowIatStd: this.flowIat.std(NaN),
      flowIatMax: this.flowIat.maxOr(NaN),
      flowIatMin: this.flowIat.minOr(NaN),
      fwdIatTotal: this.fwdIat.sum,
      fwdIatMean: this.fwdIat.mean(),
      fwdIatStd: this.fwdIat.std(),
      fwdIatMax: this.fwdIat.maxOr(),
      fwdIatMin: this.fwdIat.minOr(),
      bwdIatTotal: this.bwdIat.sum,
      bwdIatMean: this.bwdIat.mean(),
      bwdIatStd: this.bwdIat.std(),
      bwdIatMax: this.bwdIat.maxOr(),
      bwdIatMin: this.bwdIat.minOr(),
      fwdPshFlags: this.fwdPsh,
      bwdPshFlags: this.bwdPsh,
      fwdUrgFlags: this.fwdUrg,
      bwdUrgFlags: this.bwdUrg,
      fwdRstFlags: this.fwdRst,
      bwdRstFlags: this.bwdRst,
      fwdHeaderLength: this.fwdHdr,
      bwdHeaderLength: this.bwdHdr,
      fwdPacketsPerSec: duration > 0 ? f.n / seconds : 0,
      bwdPacketsPerSec: duration > 0 ? b.n / seconds : 0,
      packetLengthMin: a.minOr(),
      packetLengthMax: a.maxOr(),
      packetLengthMean: a.mean(),
      packetLengthStd: a.std(),
      packetLengthVariance: a.variance(),
      finFlagCount: this.fin,
      synFlagCount: this.syn,
      rstFlagCount: this.rst,
      pshFlagCount: this.psh,
      ackFlagCount: this.ack,
      urgFlagCount: this.urg,
      cwrFlagCount: this.cwr,
      eceFlagCount: this.ece,
      downUpRatio: f.n > 0 ? b.n / f.n : 0,
      averagePacketSize: packets > 0 ? bytes / packets : 0,
      fwdSegmentSizeAvg: f.n > 0 ? f.sum / f.n : 0,
      bwdSegmentSizeAvg: b.n > 0 ? b.sum / b.n : 0,
      // Bulk transfer columns: left at 0 (the fork fills them for a few long flows only).
      fwdBytesPerBulkAvg: 0,
      fwdPacketsPerBulkAvg: 0,
      fwdBulkRateAvg: 0,
      bwdBytesPerBulkAvg: 0,
      bwdPacketsPerBulkAvg: 0,
      bwdBulkRateAvg: 0,
      subflowFwdPackets: Math.floor(f.n / packets),
      subflowFwdBytes: Math.floor(f.sum / packets),
      subflowBwdPackets: Math.floor(b.n / packets),
      subflowBwdBytes: Math.floor(b.sum / packets),
      fwdInitWinBytes: Math.max(this.fwdInitWin, 0),
      bwdInitWinBytes: Math.max(this.bwdInitWin, 0),
      fwdActDataPkts: this.fwdActData,
      fwdSegSizeMin: f.n > 0 ? this.fwdHdrMin : 0,
      activeMean: this.active.mean(),
      activeStd: this.active.std(),
      activeMax: this.active.maxOr(),
      activeMin: this.active.minOr(),
      idleMean: this.idle.mean(),
      idleStd: this.idle.std(),
      idleMax: this.idle.maxOr(),
      idleMin: this.idle.minOr(),
      totalTcpFlowTime: protocol === 6 ? this.lastUs - connStartUs : 0,
      label,
    };
  }
}
