"""First-party statistics plugins, registered in setup.cfg like any third party's."""
