/**
 * Renders the Kustomize overlays with kubectl and checks what they produce: every object against
 * the Kubernetes JSON schemas (`kubernetes-models`, offline), CloudNativePG's Cluster against the
 * fields COIN uses, and the policies the issue asks for. Used by `manifests.e2e.test.ts`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

export const KUBERNETES_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Every overlay under `overlays/`. */
export const overlays = (): string[] =>
  readdirSync(path.join(KUBERNETES_DIR, 'overlays'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };

/** `kubectl kustomize <dir>` as objects; a clear error when kubectl is not installed. */
export function render(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('kubectl is not installed: the Kubernetes manifest tests render the overlays with `kubectl kustomize` (install kubectl)');
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** CloudNativePG's Cluster (no model package exists): the fields COIN's overlay sets. */
const CnpgCluster = z.object({
  apiVersion: z.literal('postgresql.cnpg.io/v1'),
  kind: z.literal('Cluster'),
  metadata: z.object({ name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/) }).passthrough(),
  spec: z
    .object({
      instances: z.number().int().min(1),
      imageName: z.string().regex(/:[^:]+$/, 'needs a tag').optional(),
      bootstrap: z.object({ initdb: z.object({ database: z.string(), owner: z.string() }).passthrough() }).passthrough(),
      storage: z.object({ size: z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/) }).passthrough(),
      postgresql: z.object({ parameters: z.record(z.string()) }).passthrough().optional(),
      resources: z.object({ requests: z.record(z.string()), limits: z.record(z.string()) }).strict().optional(),
      primaryUpdateStrategy: z.enum(['unsupervised', 'supervised']).optional(),
      monitoring: z.object({ enablePodMonitor: z.boolean() }).passthrough().optional(),
    })
    // A field this schema does not know is more likely a typo than a feature: refuse it.
    .strict(),
});

/** The API groups the manifests use, with their models (JSON schemas inside). */
const MODELS: Record<string, () => Promise<Record<string, unknown>>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'batch/v1': () => import('kubernetes-models/batch/v1'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
  'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
  'networking.k8s.io/v1': () => import('kubernetes-models/networking.k8s.io/v1'),
};

/** Schema errors of one object (empty when valid). */
export async function schemaErrors(o: K8sObject): Promise<string[]> {
  const where = `${o.kind}/${o.metadata?.name}`;
  if (o.apiVersion === 'postgresql.cnpg.io/v1') {
    const r = CnpgCluster.safeParse(o);
    return r.success ? [] : r.error.issues.map((i) => `${where}: ${i.path.join('.')} ${i.message}`);
  }
  const load = MODELS[o.apiVersion];
  if (!load) return [`${where}: no schema for apiVersion ${o.apiVersion}`];
  const mod = await load();
  const Model = mod[o.kind] as (new (o: unknown) => { validate(): void }) | undefined;
  if (!Model) return [`${where}: no schema for ${o.apiVersion} ${o.kind}`];
  // kustomize wraps long base64 values over lines; the API server's decoder skips line breaks.
  const input =
    o.kind === 'Secret' && o.data ? { ...o, data: Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s+/g, '')])) } : o;
  try {
    new Model(input).validate();
    return [];
  } catch (err) {
    return [`${where}: ${err instanceof Error ? err.message : String(err)}`];
  }
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

/** Pod template of a workload. */
const podSpecOf = (o: K8sObject) => (o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec);

/**
 * The policies: probes on every long-running container, requests and limits everywhere, non-root,
 * read-only root filesystem, no privilege escalation, image tags pinned (not `latest`), at least
 * two replicas of each Deployment, autoscaler and disruption budgets pointing at something real.
 */
export function policyViolations(objects: K8sObject[]): string[] {
  const bad: string[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  for (const o of objects.filter((x) => WORKLOADS.has(x.kind))) {
    const where = `${o.kind}/${o.metadata.name}`;
    const pod = podSpecOf(o);
    if (!pod) {
      bad.push(`${where}: no pod template`);
      continue;
    }
    if (o.kind === 'Deployment' && !((o.spec.replicas ?? 1) >= 2)) bad.push(`${where}: fewer than 2 replicas`);
    const containers = [...(pod.initContainers ?? []).map((c: object) => ({ ...c, init: true })), ...(pod.containers ?? [])];
    for (const c of containers) {
      const cw = `${where} container ${c.name}`;
      const image: string = c.image ?? '';
      const tag = /^[^@]*:([^:/@]+)$/.exec(image)?.[1];
      if (!image.includes('@sha256:') && (!tag || tag === 'latest')) bad.push(`${cw}: image "${image}" is not pinned to a tag other than latest`);
      for (const kind of ['requests', 'limits'])
        for (const r of ['cpu', 'memory']) if (!c.resources?.[kind]?.[r]) bad.push(`${cw}: no ${kind}.${r}`);
      const sc = c.securityContext ?? {};
      if (!(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot)) bad.push(`${cw}: may run as root`);
      if ((sc.runAsUser ?? pod.securityContext?.runAsUser) === 0) bad.push(`${cw}: runs as uid 0`);
      if (sc.readOnlyRootFilesystem !== true) bad.push(`${cw}: root filesystem is writable`);
      if (sc.allowPrivilegeEscalation !== false) bad.push(`${cw}: privilege escalation allowed`);
      if (!c.init && !['Job', 'CronJob'].includes(o.kind)) {
        if (!c.livenessProbe) bad.push(`${cw}: no liveness probe`);
        if (!c.readinessProbe) bad.push(`${cw}: no readiness probe`);
        if (c.livenessProbe?.httpGet && c.livenessProbe.httpGet.path !== '/health/live') bad.push(`${cw}: liveness is not /health/live`);
        if (c.readinessProbe?.httpGet && c.readinessProbe.httpGet.path !== '/health/ready') bad.push(`${cw}: readiness is not /health/ready`);
      }
    }
    // Whatever the containers mount writable must be a volume (read-only root filesystem).
    const volumes = new Set((pod.volumes ?? []).map((v: { name: string }) => v.name));
    for (const c of containers) for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) bad.push(`${where}: mount ${m.name} has no volume`);
  }
  const selects = (selector: Record<string, string> | undefined, d: K8sObject) =>
    !!selector && Object.entries(selector).every(([k, v]) => d.spec.template.metadata?.labels?.[k] === v);
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata.name}`;
    if (o.kind === 'PodDisruptionBudget' && !deployments.some((d) => selects(o.spec.selector?.matchLabels, d))) bad.push(`${where}: selects no Deployment`);
    if (o.kind === 'Service' && !deployments.some((d) => selects(o.spec.selector, d))) bad.push(`${where}: selects no Deployment`);
    if (o.kind === 'HorizontalPodAutoscaler' && !deployments.some((d) => d.metadata.name === o.spec.scaleTargetRef?.name)) bad.push(`${where}: scales nothing`);
    if (o.kind === 'Ingress')
      for (const rule of o.spec.rules ?? [])
        for (const p of rule.http?.paths ?? [])
          if (!objects.some((s) => s.kind === 'Service' && s.metadata.name === p.backend?.service?.name)) bad.push(`${where}: backend ${p.backend?.service?.name} is no Service`);
  }
  return bad;
}
