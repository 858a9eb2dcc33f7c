if size :under 10 { discard; }
