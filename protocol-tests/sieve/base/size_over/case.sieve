if size :over 10 { discard; }
