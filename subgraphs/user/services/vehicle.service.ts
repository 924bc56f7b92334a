import { entityId, isUuid } from '../../../lib/ids.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { ConnectorType } from '../../../lib/connector-types.js';
import { badInput, forbidden, notFound } from '../../../lib/errors.js';
import { User } from '../entities/user.entity.js';
import { Vehicle } from '../entities/vehicle.entity.js';

export const MAX_VEHICLES_PER_USER = 20;

/** What a vehicle may be: the largest batteries are ~250 kWh, the fastest chargers ~1.2 MW. */
const vehicleSchema = z.object({
  make: z.string().trim().min(1, 'make is required').max(60),
  model: z.string().trim().min(1, 'model is required').max(60),
  batteryWh: z.number().int().min(1_000, 'batteryWh must be at least 1,000 Wh').max(500_000),
  connectorTypes: z.array(z.enum(ConnectorType)).min(1, 'at least one connector type').max(8),
  maxAcPowerW: z.number().int().min(0).max(50_000),
  maxDcPowerW: z.number().int().min(1).max(1_500_000).nullable().optional(),
});
export type NewVehicle = z.infer<typeof vehicleSchema>;

export class VehicleService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  async add(input: NewVehicle): Promise<Vehicle> {
    const parsed = vehicleSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badInput(issue.message, String(issue.path[0] ?? 'input'));
    }
    const owner = this.viewer.userId!;
    if ((await this.em.count(Vehicle, { owner })) >= MAX_VEHICLES_PER_USER)
      throw badInput(`At most ${MAX_VEHICLES_PER_USER} vehicles per account`, 'input');
    const v = parsed.data;
    const vehicle = this.em.create(Vehicle, {
      ...v,
      connectorTypes: [...new Set(v.connectorTypes)],
      maxDcPowerW: v.maxDcPowerW ?? null,
      owner: this.em.getReference(User, owner),
    });
    await this.em.flush();
    return vehicle;
  }

  async remove(id: string): Promise<boolean> {
    const vehicle = await this.em.findOne(Vehicle, { id: entityId(id, 'Vehicle') });
    if (!vehicle || (vehicle.owner.id !== this.viewer.userId && !hasRole(this.viewer, Role.ADMIN)))
      throw notFound('Vehicle', id);
    this.em.remove(vehicle);
    await this.em.flush();
    return true;
  }

  ofUser(userId: string): Promise<Vehicle[]> {
    if (userId !== this.viewer.userId && !hasRole(this.viewer, Role.ADMIN))
      throw forbidden('Only the account itself and admins see its vehicles');
    return this.em.find(Vehicle, { owner: userId }, { orderBy: { createdAt: 'asc' } });
  }

  /** For the station subgraph: the plugs of `vehicleId` if it belongs to `userId`, else null. */
  async plugsOf(vehicleId: string, userId: string): Promise<ConnectorType[] | null> {
    if (!isUuid(vehicleId)) return null;
    const vehicle = await this.em.findOne(Vehicle, { id: vehicleId, owner: userId });
    return vehicle?.connectorTypes ?? null;
  }
}
