if size :over "1M" { keep; }
