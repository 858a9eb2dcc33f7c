if hasflag "x" { discard; }
