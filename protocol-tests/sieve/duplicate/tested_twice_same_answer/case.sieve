require ["duplicate", "fileinto"];
if duplicate { discard; }
if not duplicate { fileinto "Lists"; }
