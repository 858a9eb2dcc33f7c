if frob { keep; }
