# COIN: one image for every role (ROLES=bot,api,worker picks what a container runs).
# Multi-stage: TypeScript is compiled to JavaScript in `build`; the final image holds the
# compiled dist/ and production dependencies only (no compiler, no tsx, no -dev libraries:
# charts draw with @napi-rs/canvas, prebuilt inside npm). See docs/operations.md.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the PGlite template) runs in the final stage, on the compiled code.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app app
COPY bot bot
COPY adapters adapters
COPY domain domain
COPY drizzle drizzle
COPY workers workers
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# typescript stays in a production install as i18next's optional peer ("devOptional" in the
# lockfile); nothing at run time needs it, so the compiler is removed from the image.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver \
  && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
# The empty, migrated PGlite database new data folders start from (quick first start).
RUN node dist/drizzle/pglite-template-cli.js
# Embedded data (PGlite, chart files) lives under DATA_DIR; owned by the unprivileged user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
# /health where this container serves HTTP (roles with api); a worker-only container has no port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "if (!(process.env.ROLES || 'bot,api,worker').includes('api')) process.exit(0); fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1: app/cli.ts handles SIGTERM/SIGINT (finish the work in hand, exit 0).
STOPSIGNAL SIGTERM
CMD ["node", "dist/app/cli.js"]
