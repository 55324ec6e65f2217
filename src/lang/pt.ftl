### CASM Embed: the widget's texts in Portuguese (pt).

kind-online-resource = Recurso on-line
kind-report = Relatório
kind-toolkit = Kit de ferramentas
kind-presentation = Apresentação
kind-photo-set = Álbum de fotos
kind-video = Vídeo
kind-event = Evento
loading = Carregando…
not-found = Este recurso não está disponível.
unreachable = Não foi possível acessar o serviço CASM. Tente novamente mais tarde.
stale = Não foi possível acessar o serviço: esta é uma cópia salva antes e pode estar desatualizada.
failed = Não foi possível carregar este conteúdo: { $reason }.
retry = Tentar novamente
empty = Nenhum recurso encontrado.
page-information = Informações da página
popularity = Popularidade
rank-value = { $total ->
    [one] nº { $rank } de { $total } item
    [many] nº { $rank } de { $total } de itens
   *[other] nº { $rank } de { $total } itens
}
not-ranked = Sem classificação
helpful-votes = Votos úteis
page-views = Visualizações da página
pages-emailed = Páginas enviadas por e-mail
metacard-views = Visualizações do metacartão
attachments-downloaded = Anexos baixados
relationships-and-highlights = Relações e destaques
videos-downloaded = Vídeos baixados
date-created = Data de criação
date-modified = Data de modificação
version-comment = Comentário da versão
no-comment = Nenhum
partners = Parceiros: { $names }
list-separator = { ", " }
links = Links
vote-prompt = Esta página foi útil?
vote = Útil
vote-done = { $n ->
    [one] Obrigado pelo seu voto. Esta página tem { $n } voto útil.
    [many] Obrigado pelo seu voto. Esta página tem { $n } de votos úteis.
   *[other] Obrigado pelo seu voto. Esta página tem { $n } votos úteis.
}
vote-removed = { $n ->
    [one] Seu voto foi removido. Esta página tem { $n } voto útil.
    [many] Seu voto foi removido. Esta página tem { $n } de votos úteis.
   *[other] Seu voto foi removido. Esta página tem { $n } votos úteis.
}
vote-failed = Não foi possível salvar seu voto: { $reason }.
email-page = Enviar esta página por e-mail
submit-comments = Envie seus comentários
feedback-text = Seus comentários
feedback-contact = Seu e-mail ou nome (opcional)
feedback-send = Enviar
feedback-cancel = Cancelar
feedback-sending = Enviando…
feedback-sent = Obrigado, seus comentários foram enviados.
feedback-failed = Não foi possível enviar seus comentários: { $reason }.
feedback-empty = Escreva seus comentários primeiro.
reason-offline = não foi possível acessar o serviço
reason-rate-limited = muitas solicitações, tente novamente em instantes
reason-not-found = não foi encontrado
reason-server = o serviço respondeu com o erro { $status }
reason-invalid = o serviço enviou dados que este widget não consegue ler

loader-failed = Não foi possível carregar o widget do CASM.
loader-view-resource = Ver este recurso
loader-view-resources = Ver os recursos
