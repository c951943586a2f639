// ConfigurationAPI: the policy, objective and drill models that Configuration's loaders return (PolicyLoader,
// DrillLoader) live in the pure Policy module; re-exporting it lets a caller of the loaders (the lifeboat
// executable) use what it is handed without importing the domain layer itself.
@_exported import Policy
