require ["include", "fileinto"];
fileinto "Lists";
return;
fileinto "Junk";
