import type { Config } from '../lib/config.js';
import type { ServiceSpec } from './platform.js';

/** The platform's processes in start order (subgraphs before the gateway that plans over them). */
export function platformServices(config: Config): ServiceSpec[] {
  const health = (port: number) => `http://${config.host}:${port}/health`;
  return [
    { name: 'user', entry: 'subgraphs/user/index.js', healthUrl: health(config.ports.user) },
    { name: 'station', entry: 'subgraphs/station/index.js', healthUrl: health(config.ports.station) },
    { name: 'session', entry: 'subgraphs/session/index.js', healthUrl: health(config.ports.session) },
    { name: 'gateway', entry: 'gateway/index.js', healthUrl: health(config.ports.gateway) },
    { name: 'ocpp-bridge', entry: 'ocpp-bridge/index.js', healthUrl: health(config.ports.ocpp) },
  ];
}
