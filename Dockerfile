# elicense — multi-stage build; the image runs the same npm commands as the README.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# A compiler for the native SM2 binding (native/sm2, built by the install script against Node's own OpenSSL
# headers); without it the install still succeeds and SM2 runs on the slower pure-JS path (docs/adr/0009).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY native ./native
COPY src ./src
COPY scripts ./scripts
COPY standards ./standards
COPY fixtures ./fixtures
COPY web ./web
# `npm ci` runs the `prepare` script, which compiles TypeScript to dist/.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# Inside a container the published port decides who reaches the node; a demo region would otherwise listen on 127.0.0.1 only.
ENV HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/native ./native
COPY --from=build --chown=node:node /app/standards ./standards
COPY --from=build --chown=node:node /app/fixtures ./fixtures
COPY --from=build --chown=node:node /app/web ./web
RUN mkdir -p /app/data && chown -R node:node /app
USER node
# The main job: the issuing node. Any CLI command: docker run IMAGE node dist/src/cli/main.js --help
EXPOSE 8080
CMD ["npm", "start"]
