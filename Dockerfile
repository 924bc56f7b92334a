# The whole platform in one image: `npm start` supervises every process (and, without CHAIN_RPC_URL,
# a local Hardhat node with the contracts deployed; without DATABASE_URL, an embedded PostgreSQL).
# No Docker engine runs on the project's build machines: `./gridledger run check:dockerfile` runs these
# build steps, in order, in a clean copy of the tree instead (see the README).
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Contracts compile offline (solc from npm); the TypeScript is compiled to dist/.
RUN npm run compile && npm run build
# What the platform writes at run time belongs to the unprivileged user it runs as.
RUN mkdir -p .gridledger deployments && chown -R node:node .gridledger deployments contracts
USER node
ENV HOST=0.0.0.0
EXPOSE 4000 9000
CMD ["node", "dist/scripts/start.js"]
