export interface MapStation {
  id: string;
  name: string;
  location: { lat: number; lng: number };
}

/** Marker colours by charger status (the same as the list's badges). */
const COLOUR: Record<string, string> = {
  AVAILABLE: '#2e7d32',
  CHARGING: '#1565c0',
  PREPARING: '#6a1b9a',
  SUSPENDED_EV: '#00838f',
  SUSPENDED_EVSE: '#00838f',
  FINISHING: '#6a1b9a',
  OCCUPIED: '#1565c0',
  RESERVED: '#ef6c00',
  UNAVAILABLE: '#757575',
  FAULTED: '#c62828',
  UNKNOWN: '#9e9e9e',
};

/**
 * The stations on a plain background drawn here (no tile server: nothing is fetched): positions by
 * longitude and latitude within the stations' own bounds, a marker per charger around its station.
 */
export function StationMap({
  stations,
  markers,
}: {
  stations: MapStation[];
  markers: { id: string; stationId: string; label: string; status: string }[];
}) {
  const W = 640;
  const H = 320;
  const pad = 40;
  const lats = stations.map((s) => s.location.lat);
  const lngs = stations.map((s) => s.location.lng);
  const [minLat, maxLat, minLng, maxLng] = [
    Math.min(...lats),
    Math.max(...lats),
    Math.min(...lngs),
    Math.max(...lngs),
  ];
  // Equirectangular, scaled by the cosine of the middle latitude; one station sits in the middle.
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLng - minLng) * k, 1e-6);
  const spanY = Math.max(maxLat - minLat, 1e-6);
  const scale = Math.min((W - 2 * pad) / spanX, (H - 2 * pad) / spanY);
  const at = (s: MapStation) => ({
    x: stations.length === 1 ? W / 2 : W / 2 + (s.location.lng - (minLng + maxLng) / 2) * k * scale,
    y: stations.length === 1 ? H / 2 : H / 2 - (s.location.lat - (minLat + maxLat) / 2) * scale,
  });
  // Stations that fall on the same spot (one site, or the same coordinates) are spread on a small
  // circle around it, so that neither their labels nor their markers hide each other.
  const spots = new Map<string, MapStation[]>();
  for (const s of stations) {
    const p = at(s);
    const key = `${Math.round(p.x / 24)},${Math.round(p.y / 24)}`;
    spots.set(key, [...(spots.get(key) ?? []), s]);
  }
  // Each label points away from its spot's centre (left of a station on the circle's left, below one
  // on its lower half), so that the labels of one spot do not overlap either.
  const byStation = new Map<
    string,
    { x: number; y: number; anchor: 'start' | 'middle' | 'end'; below: boolean }
  >();
  for (const group of spots.values())
    group.forEach((s, i) => {
      const p = at(s);
      const spread = group.length > 1;
      const angle = (2 * Math.PI * i) / group.length - Math.PI / 2;
      const [cos, sin] = spread ? [Math.cos(angle), Math.sin(angle)] : [0, 0];
      byStation.set(s.id, {
        x: p.x + 48 * cos,
        y: p.y + 48 * sin,
        anchor: cos > 0.3 ? 'start' : cos < -0.3 ? 'end' : 'middle',
        below: sin > 0.3,
      });
    });
  return (
    <svg className="map" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Stations map">
      <rect width={W} height={H} className="map-ground" />
      {[1, 2, 3].map((i) => (
        <line key={`h${i}`} x1={0} x2={W} y1={(H * i) / 4} y2={(H * i) / 4} className="map-grid" />
      ))}
      {[1, 2, 3, 4, 5].map((i) => (
        <line key={`v${i}`} y1={0} y2={H} x1={(W * i) / 6} x2={(W * i) / 6} className="map-grid" />
      ))}
      {stations.map((s) => {
        const p = byStation.get(s.id)!;
        const dx = p.anchor === 'start' ? -10 : p.anchor === 'end' ? 10 : 0;
        return (
          <text
            key={s.id}
            x={p.x + dx}
            y={p.below ? p.y + 28 : p.y - 18}
            textAnchor={p.anchor}
            className="map-label"
          >
            {s.name}
          </text>
        );
      })}
      {markers.map((m) => {
        const around = markers.filter((x) => x.stationId === m.stationId);
        const i = around.indexOf(m);
        const p = byStation.get(m.stationId)!;
        const angle = (2 * Math.PI * i) / around.length;
        const r = around.length > 1 ? 12 : 0;
        return (
          <circle
            key={m.id}
            cx={p.x + r * Math.cos(angle)}
            cy={p.y + r * Math.sin(angle)}
            r={8}
            fill={COLOUR[m.status] ?? COLOUR.UNKNOWN}
            data-testid={`marker-${m.label}`}
            data-status={m.status}
          >
            <title>{`${m.label}: ${m.status.toLowerCase()}`}</title>
          </circle>
        );
      })}
    </svg>
  );
}
