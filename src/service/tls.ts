/**
 * TLS for the hub and its clients. Server: HTTPS from PEM files, optionally mutual TLS (client certificates signed
 * by `clientCaFile`, checked per request in the auth hook so probes and /metrics stay reachable for kubelet and
 * Prometheus), with the files re-read when they change (cert-manager rotates Secrets in place). Clients (the agent,
 * the operator CLI): a fetch that trusts a private CA besides the system ones and presents a client certificate.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { PeregrineError } from '../core/errors.js';

export interface ServerTlsFiles {
  certFile: string;
  keyFile: string;
  clientCaFile: string;
}

export interface ClientTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface ServerTlsOptions {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  /** Ask for a client certificate (mutual TLS); whether one verified is checked per request. */
  requestCert: boolean;
  rejectUnauthorized: false;
}

function readPem(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new PeregrineError('PGN_ERR_FILE_NOT_FOUND', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      where: key,
      hint: 'point it at a readable PEM file (a mounted Secret), or leave it empty',
    });
  }
}

/** The HTTPS options for these files, or null when TLS is off (no certFile). */
export function serverTlsOptions(t: ServerTlsFiles): ServerTlsOptions | null {
  if (t.certFile === '') return null;
  const mutual = t.clientCaFile !== '';
  return {
    cert: readPem(t.certFile, 'server.tls.certFile'),
    key: readPem(t.keyFile, 'server.tls.keyFile'),
    ...(mutual ? { ca: readPem(t.clientCaFile, 'server.tls.clientCaFile') } : {}),
    requestCert: mutual,
    rejectUnauthorized: false,
  };
}

/**
 * Calls `apply` with fresh options whenever one of the files changes (polled every `intervalMs`); a half-written
 * or bad file is reported through `onError` and the previous context stays. Returns the function that stops it.
 */
export function watchServerTls(t: ServerTlsFiles, apply: (o: ServerTlsOptions) => void, onError: (e: Error) => void, intervalMs = 10_000): () => void {
  const files = [t.certFile, t.keyFile, t.clientCaFile].filter((f) => f !== '');
  const listener = () => {
    try {
      const o = serverTlsOptions(t);
      if (o) apply(o);
    } catch (e) {
      onError(e as Error);
    }
  };
  for (const f of files) watchFile(f, { interval: intervalMs, persistent: false }, listener);
  return () => {
    for (const f of files) unwatchFile(f, listener);
  };
}

/** A fetch for https URLs with a private CA and/or a client certificate; the plain global fetch when none is set. */
export function tlsFetch(t: ClientTlsFiles, where: (k: keyof ClientTlsFiles) => string = (k) => `agent.tls.${k}`): typeof fetch {
  if (t.caFile === '' && t.certFile === '') return globalThis.fetch;
  const dispatcher = new Agent({
    connect: {
      ...(t.caFile !== '' ? { ca: [...rootCertificates, readPem(t.caFile, where('caFile')).toString('utf8')] } : {}),
      ...(t.certFile !== '' ? { cert: readPem(t.certFile, where('certFile')), key: readPem(t.keyFile, where('keyFile')) } : {}),
    },
  });
  return ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as typeof fetch;
}
