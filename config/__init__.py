"""Reference data shipped with greenslate: the versioned emission factor set, the generator
consumption table and the crew message catalogues."""
