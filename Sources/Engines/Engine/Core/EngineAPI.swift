// EngineAPI: the domain values that are part of Engine's own API. Engines take and return manifests, backup
// ids, WAL names and recovery windows (Catalog) and throw LifeboatErrors with their exit status (Diagnostics);
// re-exporting those two modules lets a caller of Engine (the lifeboat executable) use the values and errors it
// is handed without importing the domain layer itself. Nothing else is re-exported: storage, ciphers,
// retention, drills, reports and metrics stay behind engine APIs.
@_exported import Catalog
@_exported import Diagnostics
