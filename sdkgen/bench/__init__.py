"""``sdkgen bench``: load time, prefill, decode, time to first token and peak memory of a build's artifacts,
measured on this host, next to the memory roofline (:mod:`sdkgen.bench.roofline`)."""
