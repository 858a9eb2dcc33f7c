if anyof (true,) { keep; }
