require ["reject", "fileinto"];
fileinto "Lists";
reject "no";
