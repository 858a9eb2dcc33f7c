require ["duplicate", "fileinto"];
if duplicate :handle "lists" { fileinto "Lists"; }
