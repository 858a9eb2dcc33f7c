if duplicate { discard; }
