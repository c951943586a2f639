// EngineContext+Cluster: the same run aimed at another cluster of the repository. Engines that read one
// cluster (the WAL archive, listings, status, reports) take its name from `config.cluster`; a fleet view runs
// them once per cluster with this copy, everything else (repository, credentials, policy, clock) unchanged.
extension EngineContext {
    public func forCluster(_ cluster: String) -> EngineContext {
        var config = self.config
        config.cluster = cluster
        return EngineContext(
            config: config, logger: logger, progress: progress, environment: environment, now: now,
            postgres: postgres)
    }
}
