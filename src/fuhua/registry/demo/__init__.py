"""The registry's demo data: a deterministic, calibrated incubation network (small, province or national
scale). Its step (`loader.load_registry`) is registered in RegistryConfig.ready(); fuhua.demo runs it."""
