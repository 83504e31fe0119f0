# elicense — multi-stage build; the image runs the same npm commands as the README.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY standards ./standards
COPY fixtures ./fixtures
COPY web ./web
# `npm ci` runs the `prepare` script, which compiles TypeScript to dist/.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/standards ./standards
COPY --from=build --chown=node:node /app/fixtures ./fixtures
COPY --from=build --chown=node:node /app/web ./web
RUN mkdir -p /app/data && chown -R node:node /app
USER node
# The main job: the issuing node. Any CLI command: docker run IMAGE node dist/src/cli/main.js --help
EXPOSE 8080
CMD ["npm", "start"]
