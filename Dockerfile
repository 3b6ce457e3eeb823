# COIN: one image for every role (ROLES=bot,api,worker picks what a container runs).
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends build-essential python3 pkg-config \
     libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev libpixman-1-dev fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production
EXPOSE 8080
CMD ["npm", "start"]
