import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_DIR, overlays, policyViolations, render, schemaErrors, type K8sObject } from './manifests.js';

/** Variable names of .env.example: the ConfigMap and Secret carry the same ones. */
const envExample = readFileSync(path.join(KUBERNETES_DIR, '../../.env.example'), 'utf8')
  .split('\n')
  .map((l) => /^([A-Z0-9_]+)=/.exec(l)?.[1])
  .filter((v): v is string => !!v);

const rendered = new Map<string, K8sObject[]>([['base', render(path.join(KUBERNETES_DIR, 'base'))]]);
for (const o of overlays()) rendered.set(o, render(path.join(KUBERNETES_DIR, 'overlays', o)));

describe('Kubernetes manifests', () => {
  it('GIVEN the overlays THEN there are production and cloudnativepg, and each renders', () => {
    expect(overlays()).toEqual(expect.arrayContaining(['production', 'cloudnativepg']));
    for (const [name, objects] of rendered) expect(objects.length, name).toBeGreaterThan(8);
  });

  it.each([...rendered.keys()])('GIVEN %s THEN every object is valid against its schema', async (name) => {
    const errors = (await Promise.all(rendered.get(name)!.map(schemaErrors))).flat();
    expect(errors).toEqual([]);
  });

  it.each([...rendered.keys()])('GIVEN %s THEN probes, limits, non-root, read-only root filesystem, pinned images', (name) => {
    expect(policyViolations(rendered.get(name)!)).toEqual([]);
  });

  it.each([...rendered.keys()])('GIVEN %s THEN bot+api in webhook mode and workers, each >= 2 replicas, with PDBs, an HPA, a NetworkPolicy and an Ingress', (name) => {
    const objects = rendered.get(name)!;
    const kinds = objects.map((o) => o.kind);
    for (const k of ['Deployment', 'Service', 'Ingress', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'ConfigMap', 'Secret'])
      expect(kinds, `${name} has a ${k}`).toContain(k);
    const roles = objects
      .filter((o) => o.kind === 'Deployment')
      .map((d) => d.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'ROLES')?.value)
      .sort();
    expect(roles).toEqual(['bot,api', 'worker']);
    const config = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(config.data.TELEGRAM_WEBHOOK_URL).toMatch(/^https:\/\//);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
    expect(hpa.spec.scaleTargetRef.name).toBe('coin-worker');
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it.each([...rendered.keys()])('GIVEN %s THEN the ConfigMap and Secret hold the variables of .env.example and no others', (name) => {
    const objects = rendered.get(name)!;
    const keys = objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret').flatMap((o) => Object.keys(o.data ?? {}));
    const fromOperator = objects.some((o) => o.kind === 'Cluster') ? ['DATABASE_URL'] : [];
    // ROLES is per Deployment.
    expect([...keys, ...fromOperator, 'ROLES'].sort()).toEqual([...envExample].sort());
  });

  it('GIVEN the cloudnativepg overlay THEN PostgreSQL is an operator Cluster and every container reads its URL from the operator Secret', () => {
    const objects = rendered.get('cloudnativepg')!;
    expect(objects.find((o) => o.kind === 'Cluster')?.spec.instances).toBeGreaterThanOrEqual(2);
    for (const d of objects.filter((o) => o.kind === 'Deployment'))
      for (const c of [...(d.spec.template.spec.initContainers ?? []), ...d.spec.template.spec.containers])
        expect(c.env.find((e: { name: string }) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef, `${d.metadata.name}/${c.name}`).toEqual({ name: 'coin-db-app', key: 'uri' });
    expect(objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'coin')).toBe(true);
  });

  it('GIVEN manifests that break the rules THEN the checks name each problem', async () => {
    const objects = structuredClone(rendered.get('production')!);
    const bot = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'coin-bot')!;
    const c = bot.spec.template.spec.containers[0];
    c.image = 'ghcr.io/coin/coin:latest';
    delete c.readinessProbe;
    delete c.resources.limits;
    c.securityContext.readOnlyRootFilesystem = false;
    bot.spec.template.spec.securityContext.runAsNonRoot = false;
    bot.spec.replicas = 1;
    objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!.spec.scaleTargetRef.name = 'nothing';
    expect(policyViolations(objects)).toEqual([
      'Deployment/coin-bot: fewer than 2 replicas',
      'Deployment/coin-bot container migrate: may run as root',
      'Deployment/coin-bot container coin: image "ghcr.io/coin/coin:latest" is not pinned to a tag other than latest',
      'Deployment/coin-bot container coin: no limits.cpu',
      'Deployment/coin-bot container coin: no limits.memory',
      'Deployment/coin-bot container coin: may run as root',
      'Deployment/coin-bot container coin: root filesystem is writable',
      'Deployment/coin-bot container coin: no readiness probe',
      'HorizontalPodAutoscaler/coin-worker: scales nothing',
    ]);
    // A schema error: a port that is not a number or name, a missing required field.
    c.ports[0].containerPort = 'eighty';
    delete bot.spec.selector;
    const errors = await schemaErrors(bot);
    expect(errors.join('\n')).toMatch(/containerPort|selector/);
  });
});
