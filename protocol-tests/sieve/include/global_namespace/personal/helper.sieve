require ["include", "variables", "fileinto"];
fileinto "${global.where}";
