if size :over 1K { discard; }
