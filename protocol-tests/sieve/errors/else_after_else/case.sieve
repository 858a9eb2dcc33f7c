if true { keep; } else { keep; } else { keep; }
